"""linsek: cross-sector election security coordination (lintas sektoral)."""

__version__ = "0.1.0"
