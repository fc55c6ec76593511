"""The ``srgvhd`` command line."""
