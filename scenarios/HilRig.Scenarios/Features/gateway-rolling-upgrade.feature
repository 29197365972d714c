@sim @cloud @gateway
Feature: Rolling upgrade of the access gateways
  Devices reach their vendor backend through the access nodes of a logical gateway node. To upgrade
  a logical node, the gateway management service (GMS) starts a new-version node on a spare server,
  binds it to the same logical node, stops the old node accepting connections and tells its devices
  to go offline. Each device finishes the commands it is running, asks the device master gateway for
  a new address, connects there, and only then closes its old channel: no command is lost or run
  twice. The GMS shuts the old node once it has no connection and no uplink traffic, rolls the
  binding back when a new node misbehaves, and upgrades one logical node first as a canary.
  The bench's cluster (wiring/sim-chain.yaml): logical nodes gw-1 and gw-2, one access node of
  capacity 8 each; the emulated module belongs to gw-1.

  Background:
    Given the bench is powered on
    And the module is connected to its gateway node

  Scenario: Every logical node is upgraded while commands flow, and none is lost or run twice
    Given 4 virtual devices of logical node "gw-1" are connected to the gateway cluster
    And 4 virtual devices of logical node "gw-2" are connected to the gateway cluster
    When the vendor backend sends the module a "ping" command every 100 ms through the gateway
    And the GMS upgrades every logical node to version "2.0.0"
    Then the rolling upgrade completes with "gw-1" as the canary
    And the module is on an access node of version "2.0.0"
    And every command sent through the gateway was answered exactly once
    And every old access node was unbound and shut once it had no connection and no uplink traffic

  Scenario: A command running when the offline notice comes finishes on the old node; commands sent meanwhile run once on the new node
    When the vendor backend sends the module a "wait" command of 1500 ms through the gateway
    And the GMS upgrades logical node "gw-1" to version "2.0.0" while that command runs
    And the vendor backend sends the module 3 "ping" commands through the gateway once the offline notice reached it
    Then every command sent through the gateway was answered exactly once
    And the "wait" command was answered before the module was ready on the new node
    And the "ping" commands were answered after the module was ready on the new node
    And the module closed its old channel only after it was ready on the new node

  Scenario: A new node that drops its devices is rolled back and the devices return to the old node
    Given new access nodes will drop their connections
    When the vendor backend sends the module a "ping" command every 100 ms through the gateway
    And the GMS upgrades logical node "gw-1" to version "2.0.0"
    And the vendor backend sends the module 3 "ping" commands through the gateway
    Then logical node "gw-1" was rolled back to its old node
    And the module is on an access node of version "1.0.0"
    And every command sent through the gateway was answered exactly once

  Scenario: A full access node is locked and the master gateway sends further devices to the next node
    Given logical node "gw-2" has a second access node
    When 12 virtual devices of logical node "gw-2" connect to the gateway cluster
    Then access node "gw-2.1" holds 8 devices and is locked
    And the other 4 devices were sent to access node "gw-2.2"

  Scenario: A sick canary halts the rolling upgrade and leaves the other logical nodes untouched
    Given new access nodes will drop their connections
    When the GMS upgrades every logical node to version "2.0.0"
    Then the rolling upgrade halts at the canary "gw-1"
    And logical node "gw-2" still runs version "1.0.0"
