"""The service, its configuration and (where the profile has one) its model."""
