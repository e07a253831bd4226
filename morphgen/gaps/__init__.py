"""Measure and close the distribution gap: attributes, divergences, reports, fitting."""
