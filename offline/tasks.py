# No background jobs: syncing is driven by the phone.
