@sim @cloud @gateway
Feature: A proxy device asks the master gateway for the devices of a draining access node
  When an access node drains, its devices may ask the device master gateway for their new addresses
  one by one, or through one of them acting as a proxy: the proxy sends one request carrying many
  devices, the master gateway answers one target address per device, and the proxy hands each device
  its own. The capacity rule works on the whole batch (docs/cloud.md §5.3): the upgraded node bound
  first to the logical node takes the batch when it holds it; otherwise it is locked for the batch,
  which goes whole to the next upgraded node when that one holds it; otherwise the next node's address
  goes to as many devices as it holds and the rest get the further node's.
  Each scenario adds a logical node "gw-3" to the bench's cluster, with an old access node "gw-3.1"
  (version 1.0.0) the virtual devices are on; "gw-3.1" then drains as the GMS drains an old node.

  Background:
    Given the bench is powered on
    And the module is connected to its gateway node
    And logical node "gw-3" has an access node of version "1.0.0" holding 25 devices

  Scenario: A batch the bound upgraded node holds goes whole to it
    Given 5 virtual devices of logical node "gw-3" are connected to the gateway cluster
    And logical node "gw-3" has these upgraded access nodes of version "2.0.0":
      | node   | holds |
      | gw-3.2 | 10    |
      | gw-3.3 | 40    |
    And device "vdev-001" acts as proxy for the devices of logical node "gw-3"
    When access node "gw-3.1" drains while the vendor backend sends each of its devices a "ping" command
    Then the proxy sent the master gateway one request for 5 devices
    And 5 devices were given access node "gw-3.2"
    And every device connected at the first try to the node the master gateway gave it
    And every command sent through the gateway was answered exactly once
    And no virtual device ran a command twice

  Scenario: A batch larger than the bound node locks it and goes whole to an upgraded node that holds it
    Given 20 virtual devices of logical node "gw-3" are connected to the gateway cluster
    And logical node "gw-3" has these upgraded access nodes of version "2.0.0":
      | node   | holds |
      | gw-3.2 | 10    |
      | gw-3.3 | 40    |
    And device "vdev-001" acts as proxy for the devices of logical node "gw-3"
    When access node "gw-3.1" drains while the vendor backend sends each of its devices a "ping" command
    Then the proxy sent the master gateway one request for 20 devices
    And access node "gw-3.2" was locked for the batch
    And 20 devices were given access node "gw-3.3"
    And every device connected at the first try to the node the master gateway gave it
    And every command sent through the gateway was answered exactly once
    And no virtual device ran a command twice

  Scenario: A batch no single other node holds fills the next node and the rest get the further node's address
    Given 20 virtual devices of logical node "gw-3" are connected to the gateway cluster
    And logical node "gw-3" has these upgraded access nodes of version "2.0.0":
      | node   | holds |
      | gw-3.2 | 10    |
      | gw-3.3 | 15    |
      | gw-3.4 | 20    |
    And device "vdev-001" acts as proxy for the devices of logical node "gw-3"
    When access node "gw-3.1" drains while the vendor backend sends each of its devices a "ping" command
    Then the proxy sent the master gateway one request for 20 devices
    And access node "gw-3.2" was locked for the batch
    And 15 devices were given access node "gw-3.3"
    And the other 5 devices were given access node "gw-3.4"
    And every device connected at the first try to the node the master gateway gave it
    And every command sent through the gateway was answered exactly once
    And no virtual device ran a command twice

  Scenario: The proxy dies halfway through handing out addresses and part of the answers is lost
    Given 10 virtual devices of logical node "gw-3" are connected to the gateway cluster
    And logical node "gw-3" has these upgraded access nodes of version "2.0.0":
      | node   | holds |
      | gw-3.2 | 40    |
    And device "vdev-001" acts as proxy for the devices of logical node "gw-3", losing one answer in 3 and dying after handing out 4
    When access node "gw-3.1" drains while the vendor backend sends each of its devices a "ping" command
    Then the proxy died after handing out 4 addresses
    And the 6 devices whose answer never came asked the master gateway themselves
    And every device is on exactly one access node, the one the master gateway gave it in the batch
    And every command sent through the gateway was answered exactly once
    And no virtual device ran a command twice
