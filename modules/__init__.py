"""Bookshelf modules: one package per bounded context, plus the shared kernel."""
