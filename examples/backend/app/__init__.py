"""Example FastAPI backend supervised by backend-supervisor."""
