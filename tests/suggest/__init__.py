"""Tests of the suggestions: the engine with the real model, the service, and the routes."""
