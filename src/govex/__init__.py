"""govex: the governance & experience strategy toolkit for marketplaces.

Data flows one way: sources -> canonical tables -> features -> segments -> metric cubes ->
analysis -> plans -> outputs. See docs/architecture.md.
"""
__version__ = "0.1.0"
