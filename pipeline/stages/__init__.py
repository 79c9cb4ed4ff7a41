"""The stages of a build, each a function over typed data (see :mod:`pipeline.build`).

load → translate (memory + engine) → merge into catalogs → QA → render → write.
"""
