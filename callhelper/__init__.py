"""CallHelper: a desktop helper for support agents on complaint calls."""

__version__ = "0.1.0"
