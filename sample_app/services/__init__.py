"""Services and repositories; constructors receive their collaborators through Depends."""
