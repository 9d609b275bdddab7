"""wirelint.rules"""
