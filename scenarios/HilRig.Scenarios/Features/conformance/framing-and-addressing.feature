@sim @conformance
Feature: Conformance: framing, addressing and forwarding, seen on both sides of a chip
  docs/protocol.md §3.3, §4 and §12: a chip drops a frame it cannot accept (a bad CRC, a protocol
  version other than 1) instead of passing it on, forwards a frame for another chip byte for byte without
  acting on it, answers a request on the port it came in on and within 50 ms, as the target in UPGRADE
  forwards nothing and answers every DATA once, and asleep answers nothing (§6.3, §6.4, §7.3, §7.6).
  The rig sends chip1 each frame from one side and watches what chip1 puts on every one of its ports.
  These run on any bench whose chip1 has a relay link above it and below it, whatever the chip's
  implementation.

  Background:
    Given the bench is powered on

  Scenario: A frame with a bad CRC is dropped, not forwarded
    When the rig sends chip1 a DATA frame for chip2 with a bad CRC from upstream
    Then chip1 forwards nothing downstream within 300 ms
    And chip1 sends nothing upstream within 300 ms
    And chip1 still answers STATUS as before

  Scenario: A frame with a bad CRC coming up from a chip below is dropped, not forwarded
    When the rig sends chip1 a DATA frame for the rig with a bad CRC from downstream
    Then chip1 forwards nothing upstream within 300 ms

  Scenario: A frame of another protocol version is dropped, not forwarded
    When the rig sends chip1 a DATA frame for chip2 with protocol version 2 from upstream
    Then chip1 forwards nothing downstream within 300 ms
    And chip1 still answers STATUS as before

  Scenario: A frame for another chip is forwarded byte for byte and changes nothing
    When the rig sends chip1 a BENCH_SET_OPERATING frame for chip2 from upstream
    Then chip1 forwards it downstream byte for byte within 300 ms
    And chip1 sends nothing upstream within 300 ms
    And chip1 still answers STATUS as before

  Scenario: A frame coming up from a chip below is forwarded upstream only
    When the rig sends chip1 a DATA frame for the rig from downstream
    Then chip1 forwards it upstream byte for byte within 300 ms
    And chip1 sends nothing downstream within 300 ms

  Scenario: A request from below is answered on the port it came in on
    When the rig sends chip1 a STATUS_REQ frame for chip1 from downstream
    Then chip1 answers on its downstream port to the rig within 300 ms
    And chip1 sends nothing upstream within 300 ms

  Scenario: STATUS is answered within 50 ms
    Then chip1 answers STATUS within 50 ms, as the median of 5 requests from upstream

  Scenario: A target passes its START on once, then in UPGRADE forwards nothing and still answers STATUS
    When the rig makes chip1 the target of a campaign from upstream
    Then chip1 answers START_ACK in Upgrade mode upstream within 1000 ms
    And chip1 passes the START on downstream as its own, with 100 ms less budget, within 1000 ms
    When the rig sends chip1 a DATA frame for chip2 from upstream
    Then chip1 forwards nothing downstream within 300 ms
    And chip1 answers STATUS in Upgrade mode

  Scenario: A sleeping chip answers nothing and forwards nothing until a COMPLETE wakes it
    When the server upgrades every chip to version "1.1.0" in the order chip1
    And the rig sends chip1 a START of that campaign for chip2 from upstream
    Then chip1 answers START_ACK in Sleep mode upstream within 1000 ms
    When the rig sends chip1 a STATUS_REQ frame for chip1 from upstream
    Then chip1 sends nothing upstream within 300 ms
    When the rig sends chip1 a DATA frame for chip2 from upstream
    Then chip1 forwards nothing downstream within 300 ms
    When chip1 gets the COMPLETE of that campaign from chip2 below it
    Then chip1 answers STATUS in Initial mode

  Scenario: A target acknowledges every DATA frame once and persists at the sector boundary
    When the rig makes chip1 the target of a campaign from upstream
    Then chip1 answers START_ACK in Upgrade mode upstream within 1000 ms
    And chip1 passes the START on downstream as its own, with 100 ms less budget, within 1000 ms
    When the rig sends chip1 the first 4096 bytes of its image in DATA frames of 512 bytes from upstream
    Then chip1 answers each DATA frame with one DATA_ACK upstream within 3000 ms, the last saying persisted 4096 and next 4096
