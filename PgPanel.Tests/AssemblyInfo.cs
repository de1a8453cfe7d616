// Test collections run in parallel (one collection per class; as many at once as the machine has cores): the unit and
// component tests. Integration and browser tests start real PostgreSQL clusters, panels and Chromium; on a 2-core machine
// they run one at a time, after the others, in collections that are not parallelized (SerialCollection, TestbedCollection).
[assembly: CollectionBehavior(CollectionBehavior.CollectionPerClass, DisableTestParallelization = false)]
