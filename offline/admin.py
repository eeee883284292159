# Nothing to administer: the offline app has no models.
