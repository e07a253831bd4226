"""Building the default model from ICT-FaceKit (used by ``scripts/build_default_model.py`` only)."""
