"""Hearth: private, local chat with DeepSeek models."""

__version__ = "0.1.0"
