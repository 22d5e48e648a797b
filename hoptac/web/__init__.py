"""The web app and REST API: a thin layer over the store (``hoptac.store``), served by ``hoptac serve``."""
