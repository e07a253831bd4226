"""Accessories fitted to an identity's head: clothing and glasses as layers."""
