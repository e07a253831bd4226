"""Accessories fitted to an identity's head: clothing, glasses and headwear as layers."""
