"""wirelint.report"""
