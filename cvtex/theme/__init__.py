"""theme"""
