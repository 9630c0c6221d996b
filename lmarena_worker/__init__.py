"""The arq worker that owns the browser (not built yet: see issue 4)."""
