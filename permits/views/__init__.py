"""The permits app's pages, one module per part of the journey."""
