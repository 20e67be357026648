package io.ferry.policies.plugins;

import io.ferry.policies.testkit.TestCluster;

/** A VM on "src" and two candidate destinations: "empty" and "half" (half its CPU and memory in use). */
final class ScoreFixture {
    private ScoreFixture() {
    }

    static TestCluster cluster() {
        TestCluster cluster = new TestCluster();
        cluster.host("src", 10, 100_000);
        cluster.host("empty", 10, 100_000);
        cluster.host("half", 10, 100_000);
        cluster.vm("v", "src", 1, 10_000).vm("load", "half", 5, 50_000);
        return cluster;
    }
}
