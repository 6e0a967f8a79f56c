"""Send reads to a read replica when ``DATABASE_REPLICA_URL`` is set.

Writes and migrations go to the primary, and so does every read made inside a transaction, so
that a service reading back what it just wrote never sees replication lag.
"""

from django.db import connections


class ReplicaRouter:
    def db_for_read(self, model, **hints):
        if connections["default"].in_atomic_block:
            return "default"
        return "replica"

    def db_for_write(self, model, **hints):
        return "default"

    def allow_relation(self, obj1, obj2, **hints):
        return True

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == "default"
