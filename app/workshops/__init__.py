"""Trajectories, workshops and everything posted in them."""
