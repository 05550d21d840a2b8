"""The HTTP service: the engine's assessments, batches, diffs and decoding over HTTP (FastAPI).

``service.app.create_app(settings)`` builds the application; ``service.server.run`` serves it
with uvicorn (``algo-filing serve``). This package only translates between HTTP and the
engine's public API (``from engine import ...``): every conclusion comes from the engine.
Nothing heavy is imported here, so the command line can read ``service.server``'s options
without loading FastAPI.
"""
