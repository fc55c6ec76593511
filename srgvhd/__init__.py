"""srgvhd: decision support for steroid-refractory acute graft-versus-host disease."""

__version__ = "0.1.0"
