"""hoptac: an open registry and monitor of Vietnam's S&T cooperation programs."""

__version__ = "0.1.0"
