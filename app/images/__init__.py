"""Beelden as photos: the safe image pipeline, storage, and the upload and download routes."""
