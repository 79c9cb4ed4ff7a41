"""Helpers for tests, benchmarks and offline demos: generators of small real artefacts."""
