def safe_driver_shutdown(cluster):
    cluster.shutdown()
