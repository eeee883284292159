# The offline app stores nothing on the server: the queue lives on the phone (IndexedDB),
# and records land in fieldwork and grievances through their services.
