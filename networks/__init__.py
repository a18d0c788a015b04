"""The MSO community: national, regional and specialised networks and their leads."""
