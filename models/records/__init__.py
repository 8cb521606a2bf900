"""Hồ sơ (records) and the documents filed in them (ND30 PL VI Mục III; DOMAIN §9).
"""
