"""Datasets: ``MNIST`` (shipped with the package as the original IDX files)."""
from .mnist import MNIST, read_idx

__all__ = ["MNIST", "read_idx"]
