"""Opgave Atelier: a live co-creation workshop room for opgavegericht werken."""
