"""Scalp hair: head fitting, strand growth, colour and geometry."""
