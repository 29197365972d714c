@sim @cloud @gateway
Feature: The GMS's thresholds for the offline indication and for closing a drained node
  The gateway management service sends the offline indication to a draining access node's devices
  only once the node's connections fall below a threshold N. It closes the node once its connections
  are below a threshold, its uplink traffic below a value V, and the node's unbind has succeeded:
  an unbind that fails keeps the node running (docs/cloud.md §5.4, "Thresholds"). A device still on a
  node when it closes loses its channel and asks the master gateway again.
  The bench's cluster (wiring/sim-chain.yaml): logical node gw-1 with access node gw-1.1 (capacity 8),
  where the module is; the GMS looks at a draining node every 100 ms.

  Background:
    Given the bench is powered on
    And the module is connected to its gateway node

  Scenario: The offline indication goes out only once the draining node has fewer connections than the threshold
    Given the GMS sends the offline indication once a draining node has fewer than 3 connections
    And 3 virtual devices of logical node "gw-1" are connected to the gateway cluster
    When the vendor backend sends the module a "ping" command every 100 ms through the gateway
    And the GMS starts upgrading logical node "gw-1" to version "2.0.0"
    Then the GMS holds the offline indication back while access node "gw-1.1" has 4 connections
    When 2 virtual devices of logical node "gw-1" switch off
    Then the upgrade of logical node "gw-1" completes
    And the offline indication went out only after access node "gw-1.1" had fewer than 3 connections
    And the module is on an access node of version "2.0.0"
    And every command sent through the gateway was answered exactly once

  Scenario: A drained node is closed with devices still on it once they are fewer than the threshold and its uplink is quiet
    Given the GMS closes a draining node once it has fewer than 3 connections and fewer than 5 uplink messages between two looks
    And 2 virtual devices of logical node "gw-1" that ignore the offline instruction are connected to the gateway cluster
    When the vendor backend sends the module a "ping" command every 100 ms through the gateway
    And the GMS upgrades logical node "gw-1" to version "2.0.0"
    Then access node "gw-1.1" was shut with 2 devices still connected, fewer than 3, and fewer than 5 uplink messages since the GMS's last look
    And the 2 devices that ignored the offline instruction reconnected to an access node of version "2.0.0"
    And the module is on an access node of version "2.0.0"
    And every command sent through the gateway was answered exactly once

  Scenario: An old node whose unbind fails keeps running until its unbind succeeds
    Given the GMS closes a draining node once it has fewer than 2 connections and fewer than 5 uplink messages between two looks
    And the binding store refuses to unbind access node "gw-1.1" 2 times
    When the vendor backend sends the module a "ping" command every 100 ms through the gateway
    And the GMS upgrades logical node "gw-1" to version "2.0.0"
    Then access node "gw-1.1" kept running after each of the 2 failed unbinds and was shut only after its unbind succeeded
    And the module is on an access node of version "2.0.0"
    And every command sent through the gateway was answered exactly once
