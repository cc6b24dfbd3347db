"""Pydantic models only: the shapes data takes between stages."""
