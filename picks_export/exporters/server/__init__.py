"""The local stand-in for the bucket: `picks-export serve`, its CORS rule (shared with the bucket's) and the
reference page it serves and a run can publish."""
