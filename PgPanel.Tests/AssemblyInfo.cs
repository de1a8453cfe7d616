// Integration tests start real PostgreSQL clusters and panels; on a 2-core machine they run one at a time.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
