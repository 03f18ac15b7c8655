"""Datasets govex ships: a synthetic marketplace with planted truths."""
from govex.datasets.synth import Marketplace, SynthConfig, generate, generate_arrow, small_marketplace, synthesize

__all__ = ["Marketplace", "SynthConfig", "generate", "generate_arrow", "small_marketplace", "synthesize"]
