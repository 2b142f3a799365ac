"""The local stand-in for the bucket: `picks-export serve`, and the reference page it serves and a run can
publish."""
