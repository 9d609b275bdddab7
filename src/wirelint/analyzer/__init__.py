"""wirelint.analyzer"""
