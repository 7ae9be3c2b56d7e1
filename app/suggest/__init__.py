"""Suggestions for the console's board from a model that runs on this server: clusters by
meaning with short names, and possible duplicates. They decide nothing: the facilitator takes
them over as ordinary commands or leaves them. No card text leaves the server
(``docs/suggestions.md``).

The model and numpy come with the optional ``suggest`` extra; nothing here imports them until a
suggestion is asked for, so a minimal install runs and explains how to enable the feature.
"""
