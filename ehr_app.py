"""srgvhd with the SMART on FHIR launch (docs/ehr.md): the same Streamlit app (``app.py``) with
``/smart/launch`` and ``/smart/callback`` served beside it by Streamlit's ASGI ``App``.

Run with ``python -m srgvhd.app.serve run ehr_app.py --server.address … --server.port …`` and
the ``SRGVHD_SMART_*`` settings in the environment.
"""

from streamlit.starlette import App

from srgvhd.ehr.launch import routes

app = App("app.py", routes=routes())
