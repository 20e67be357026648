package io.ferry.policies.planner;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ferry.policies.model.SchedulingPolicy;
import io.ferry.policies.testkit.TestCluster;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class PlanJsonTest {
    @Test
    void writesTheDocumentedShape() throws Exception {
        TestCluster c = new TestCluster();
        c.host("hot", 16, 65536).temperature(TestCluster.flat(TestCluster.NOW, Duration.ofMinutes(5), 95));
        c.host("cool", 16, 65536);
        c.host("tiny", 16, 1024);
        c.vm("v1", "hot", 1, 4096).vm("v2", "hot", 1, 4096);
        Plan plan = Planner.plan(c.build(), SchedulingPolicy.defaults("default"), PlannerOptions.EXPLAIN);

        JsonNode json = new ObjectMapper().readTree(PlanJson.write(plan, true));

        assertThat(json.get("policy").asText()).isEqualTo("default");
        JsonNode move = json.get("moves").get(0);
        assertThat(move.get("order").asInt()).isEqualTo(1);
        assertThat(move.get("vm").asText()).isEqualTo("v1");
        assertThat(move.get("from").asText()).isEqualTo("hot");
        assertThat(move.get("to").asText()).isEqualTo("cool");
        assertThat(move.get("reason").asText()).isEqualTo("evacuate-temperature");
        assertThat(move.get("urgent").asBoolean()).isTrue();
        assertThat(move.get("explanation").asText()).isNotBlank();
        assertThat(json.get("modes").get(0).get("mode").asText()).isEqualTo("quarantine");
        assertThat(json.get("power").isArray()).isTrue();
        assertThat(json.get("before").get("hostsOn").asInt()).isEqualTo(3);
        assertThat(json.get("after").has("imbalance")).isTrue();
        assertThat(json.get("after").has("estimatedWatts")).isTrue();
        assertThat(json.get("candidates").isArray()).isTrue();
        assertThat(PlanJson.write(plan, false)).doesNotContain("\"candidates\"");
        assertThat(PlanTable.render(plan, true)).contains("evacuate-temperature", "mode  hot -> quarantine");
    }
}
