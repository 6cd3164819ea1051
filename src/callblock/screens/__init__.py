"""Screens: thin, they call services and set widget attributes."""
