"""Fixtures for the signing tests (the PKI, images and PDFs are made in :mod:`._support`)."""

from ._support import foreign_pdf, seal_png, sign_pki, signature_png

__all__ = ["foreign_pdf", "sign_pki", "seal_png", "signature_png"]
