"""Governance for regulated data and high-risk decisions, enforced rather than filed.

Model and data cards (`cards`), a hash-chained audit log (`audit`), the promotion gate with
its four-eyes approval (`gate`), and retention and erasure of prediction records
(`retention`). `python -m <package>.governance --help` lists the commands.
"""
