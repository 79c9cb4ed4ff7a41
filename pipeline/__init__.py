"""summary-pipeline: one English summary in, reviewed print-ready handouts in many languages out."""

__version__ = "0.1.0"
